export type { User } from 'users-example';

/** Where the users live; tests use their own table. */
export const USERS_TABLE = Symbol('USERS_TABLE');
