import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import type { PoolConnection } from '@mariapool/core';
import { Conn, Transactional } from '@mariapool/nestjs';
import { badRequest, DUPLICATE_KEY, duplicateEmail, notFound, parseNewUser, UserInputError } from 'users-example';
import { USERS_TABLE, type User } from './user.js';
import { UserIdPipe } from './user-id.pipe.js';

/** Errors carry the shared body ({ statusCode, error, message }), as the Fastify demo answers. */
@Controller('users')
export class UsersController {
  constructor(@Inject(USERS_TABLE) private readonly table: string) {}

  @Get(':id')
  async get(@Param('id', UserIdPipe) id: number, @Conn() conn: PoolConnection): Promise<User> {
    const rows = await conn.query<User[]>(`SELECT id, name, email FROM ${this.table} WHERE id = ?`, [id]);
    if (rows[0] === undefined) throw new NotFoundException(notFound(id));
    return rows[0];
  }

  @Post()
  @HttpCode(201)
  @Transactional()
  async create(@Body() body: unknown, @Conn() conn: PoolConnection): Promise<User> {
    const { name, email } = validNewUser(body);
    try {
      const result = await conn.query<{ insertId: bigint | number }>(`INSERT INTO ${this.table} (name, email) VALUES (?, ?)`, [name, email]);
      return { id: Number(result.insertId), name, email };
    } catch (error) {
      if ((error as { errno?: number }).errno === DUPLICATE_KEY) throw new ConflictException(duplicateEmail(email));
      throw error;
    }
  }
}

function validNewUser(body: unknown): { name: string; email: string } {
  try {
    return parseNewUser(body);
  } catch (error) {
    if (error instanceof UserInputError) throw new BadRequestException(badRequest(error));
    throw error;
  }
}
