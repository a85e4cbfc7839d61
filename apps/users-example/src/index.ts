export { badRequest, duplicateEmail, notFound, parseNewUser, parseUserId, UserInputError, type ErrorBody, type User } from './user-input.js';
export { checkTableName, DUPLICATE_KEY, prepareUsersTable } from './users-table.js';
export { DEMO_DATABASE_URL, demoDatabase } from './demo-database.js';
