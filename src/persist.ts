/** Hibernate and thaw over any Storage (see docs/architecture.md). */
export { hibernate } from './persist/hibernate.js';
export { thaw } from './persist/thaw.js';
export type {
  HibernateInput,
  HibernateResult,
  HibernateThreadInput,
  PersistOptions,
  ThawInput,
  ThawResult,
} from './persist/types.js';
