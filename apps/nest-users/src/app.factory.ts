import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { INestApplication } from '@nestjs/common';
import { AppModule, type AppModuleOptions } from './app.module.js';

export { AppModule, type AppModuleOptions } from './app.module.js';

export interface CreateAppOptions extends AppModuleOptions {
  /** HTTP platform. @default "fastify" */
  platform?: 'fastify' | 'express';
  /** Nest logger levels; false silences it. @default false */
  logger?: false | Array<'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal'>;
}

/** Builds and initializes the users app (pool open, table ready); call `listen()` to serve. */
export async function createNestUsersApp(options: CreateAppOptions = {}): Promise<INestApplication> {
  const module = AppModule.register(options);
  const logger = options.logger ?? false;
  let app: INestApplication;
  if ((options.platform ?? 'fastify') === 'fastify') {
    // 'idle': at shutdown, idle keep-alive sockets are closed at once; requests in flight finish.
    app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter({ forceCloseConnections: 'idle' }), { logger, abortOnError: false });
  } else {
    const { ExpressAdapter } = await import('@nestjs/platform-express');
    app = await NestFactory.create(module, new ExpressAdapter(), { logger, abortOnError: false });
  }
  await app.init();
  // Nest's Fastify adapter serves through getHttpServer() only once Fastify itself is ready.
  const instance = app.getHttpAdapter().getInstance() as { ready?: () => PromiseLike<unknown> };
  if (typeof instance.ready === 'function') await instance.ready();
  return app;
}
