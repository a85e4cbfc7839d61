/** A user as stored and returned. */
export interface User {
  id: number;
  name: string;
  email: string;
}

/** Where the users live; tests use their own table. */
export const USERS_TABLE = Symbol('USERS_TABLE');
