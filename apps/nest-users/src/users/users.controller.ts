import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, Inject, NotFoundException, Param, ParseIntPipe, Post } from '@nestjs/common';
import type { PoolConnection } from '@mariapool/core';
import { Conn, Transactional } from '@mariapool/nestjs';
import { USERS_TABLE, type User } from './user.js';

/** ER_DUP_ENTRY: the unique key on email. */
const DUPLICATE_KEY = 1062;
const EMAIL = /^[^@\s]+@[^@\s]+$/;

@Controller('users')
export class UsersController {
  constructor(@Inject(USERS_TABLE) private readonly table: string) {}

  @Get(':id')
  async get(@Param('id', ParseIntPipe) id: number, @Conn() conn: PoolConnection): Promise<User> {
    const rows = await conn.query<User[]>(`SELECT id, name, email FROM ${this.table} WHERE id = ?`, [id]);
    if (rows[0] === undefined) throw new NotFoundException(`user ${id} not found`);
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
      if ((error as { errno?: number }).errno === DUPLICATE_KEY) throw new ConflictException(`a user with email ${email} already exists`);
      throw error;
    }
  }
}

function validNewUser(body: unknown): { name: string; email: string } {
  const { name, email } = (body ?? {}) as Record<string, unknown>;
  if (typeof name !== 'string' || name.length < 1 || name.length > 100) throw new BadRequestException('name must be a string of 1 to 100 characters');
  if (typeof email !== 'string' || email.length > 255 || !EMAIL.test(email)) throw new BadRequestException('email must be an email address');
  return { name, email };
}
