import type { FastifyInstance } from 'fastify';

/** A user as stored and returned. */
export interface User {
  id: number;
  name: string;
  email: string;
}

const userSchema = {
  type: 'object',
  required: ['id', 'name', 'email'],
  properties: { id: { type: 'integer' }, name: { type: 'string' }, email: { type: 'string' } },
} as const;

const errorSchema = { type: 'object', properties: { error: { type: 'string' } } } as const;

/** ER_DUP_ENTRY: the unique key on email. */
const DUPLICATE_KEY = 1062;

/** GET /users/:id and POST /users on the request's pooled connection. */
export async function usersRoutes(app: FastifyInstance, options: { table: string }): Promise<void> {
  const table = options.table;

  app.get<{ Params: { id: number } }>('/users/:id', {
    schema: {
      params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
      response: { 200: userSchema, 404: errorSchema },
    },
  }, async (request, reply) => {
    const conn = await request.getConnection();
    const rows = await conn.query<User[]>(`SELECT id, name, email FROM ${table} WHERE id = ?`, [request.params.id]);
    if (rows.length === 0) return reply.code(404).send({ error: `user ${request.params.id} not found` });
    return rows[0];
  });

  app.post<{ Body: { name: string; email: string } }>('/users', {
    config: { transaction: true },
    schema: {
      body: {
        type: 'object',
        required: ['name', 'email'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 100 },
          email: { type: 'string', minLength: 3, maxLength: 255, pattern: '^[^@\\s]+@[^@\\s]+$' },
        },
      },
      response: { 201: userSchema, 409: errorSchema },
    },
  }, async (request, reply) => {
    const { name, email } = request.body;
    const conn = await request.getConnection();
    try {
      const result = await conn.query<{ insertId: bigint | number }>(`INSERT INTO ${table} (name, email) VALUES (?, ?)`, [name, email]);
      return reply.code(201).send({ id: Number(result.insertId), name, email });
    } catch (error) {
      if ((error as { errno?: number }).errno === DUPLICATE_KEY) {
        return reply.code(409).send({ error: `a user with email ${email} already exists` });
      }
      throw error;
    }
  });
}
