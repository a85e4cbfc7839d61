import { Module } from '@nestjs/common';
import { ConfigurableModuleClass } from './pool.module-definition.js';

/**
 * `PoolModule.forRoot(options)` / `PoolModule.forRootAsync({ imports, inject, useFactory | useClass
 * | useExisting })`, with extras `name` (several pools) and `isGlobal` (default true).
 */
@Module({})
export class PoolModule extends ConfigurableModuleClass {}
