/** A user as stored and returned. */
export interface User {
  id: number;
  name: string;
  email: string;
}

/** The body of every error answer of both demos (Nest's and Fastify's usual shape). */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

/** Bad input: answered 400 with an ErrorBody by both demos. */
export class UserInputError extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

const EMAIL = /^[^@\s]+@[^@\s]+$/;

/**
 * A user id from the URL: a positive integer that a JavaScript number holds exactly. Beyond 2^53
 * a number would round to another id ("9007199254740993" reads as ...992), so it is refused.
 */
export function parseUserId(text: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UserInputError(`id must be a positive integer up to ${Number.MAX_SAFE_INTEGER}, got "${text.slice(0, 40)}"`);
  }
  return Number(text);
}

/** The body of POST /users: a name of 1 to 100 characters and an email address, nothing else. */
export function parseNewUser(body: unknown): { name: string; email: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new UserInputError('the body must be a JSON object with name and email');
  const { name, email, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new UserInputError(`unknown field ${JSON.stringify(extra[0])}: only name and email`);
  if (typeof name !== 'string' || name.length < 1 || name.length > 100) throw new UserInputError('name must be a string of 1 to 100 characters');
  if (typeof email !== 'string' || email.length > 255 || !EMAIL.test(email)) throw new UserInputError('email must be an email address');
  return { name, email };
}

export function notFound(id: number): ErrorBody {
  return { statusCode: 404, error: 'Not Found', message: `user ${id} not found` };
}

export function duplicateEmail(email: string): ErrorBody {
  return { statusCode: 409, error: 'Conflict', message: `a user with email ${email} already exists` };
}

export function badRequest(error: UserInputError): ErrorBody {
  return { statusCode: 400, error: 'Bad Request', message: error.message };
}
