import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { badRequest, parseUserId, UserInputError } from 'users-example';

/** The id of /users/:id by the rules both demos share: a 400 with the shared body otherwise. */
@Injectable()
export class UserIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    try {
      return parseUserId(value);
    } catch (error) {
      if (error instanceof UserInputError) throw new BadRequestException(badRequest(error));
      throw error;
    }
  }
}
