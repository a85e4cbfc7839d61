import { Controller, Get, NotFoundException, Param, ParseIntPipe } from '@nestjs/common';
import { UsersRepository } from './users.repository.js';
import type { User } from './user.js';

/** The same lookup through the REQUEST-scoped repository (the @InjectConnection() form). */
@Controller('scoped/users')
export class UsersScopedController {
  constructor(private readonly users: UsersRepository) {}

  @Get(':id')
  async get(@Param('id', ParseIntPipe) id: number): Promise<User> {
    const user = await this.users.find(id);
    if (user === undefined) throw new NotFoundException(`user ${id} not found`);
    return user;
  }
}
