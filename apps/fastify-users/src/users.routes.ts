import type { FastifyInstance } from 'fastify';
import { DUPLICATE_KEY, duplicateEmail, notFound, parseNewUser, parseUserId, type User } from 'users-example';

const errorSchema = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' } },
} as const;

const userSchema = {
  type: 'object',
  required: ['id', 'name', 'email'],
  properties: { id: { type: 'integer' }, name: { type: 'string' }, email: { type: 'string' } },
} as const;

/**
 * GET /users/:id and POST /users on the request's pooled connection. Input is checked by the
 * rules both demos share, in preValidation: a bad request never borrows a connection, and is
 * answered 400 by Fastify's error handler ({ statusCode, error, message }, like Nest's).
 */
export async function usersRoutes(app: FastifyInstance, options: { table: string }): Promise<void> {
  const table = options.table;

  app.get<{ Params: { id: string }; Querystring: unknown }>('/users/:id', {
    preValidation: async (request) => void parseUserId(request.params.id),
    schema: { response: { 200: userSchema, 404: errorSchema } },
  }, async (request, reply) => {
    const id = parseUserId(request.params.id);
    const conn = await request.getConnection();
    const rows = await conn.query<User[]>(`SELECT id, name, email FROM ${table} WHERE id = ?`, [id]);
    if (rows.length === 0) return reply.code(404).send(notFound(id));
    return rows[0];
  });

  app.post('/users', {
    config: { transaction: true },
    preValidation: async (request) => void parseNewUser(request.body),
    schema: { response: { 201: userSchema, 409: errorSchema } },
  }, async (request, reply) => {
    const { name, email } = parseNewUser(request.body);
    const conn = await request.getConnection();
    try {
      const result = await conn.query<{ insertId: bigint | number }>(`INSERT INTO ${table} (name, email) VALUES (?, ?)`, [name, email]);
      return reply.code(201).send({ id: Number(result.insertId), name, email });
    } catch (error) {
      if ((error as { errno?: number }).errno === DUPLICATE_KEY) return reply.code(409).send(duplicateEmail(email));
      throw error;
    }
  });
}
