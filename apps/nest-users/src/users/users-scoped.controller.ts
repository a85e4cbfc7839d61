import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { notFound } from 'users-example';
import { UsersRepository } from './users.repository.js';
import type { User } from './user.js';
import { UserIdPipe } from './user-id.pipe.js';

/** The same lookup through the REQUEST-scoped repository (the @InjectConnection() form). */
@Controller('scoped/users')
export class UsersScopedController {
  constructor(private readonly users: UsersRepository) {}

  @Get(':id')
  async get(@Param('id', UserIdPipe) id: number): Promise<User> {
    const user = await this.users.find(id);
    if (user === undefined) throw new NotFoundException(notFound(id));
    return user;
  }
}
