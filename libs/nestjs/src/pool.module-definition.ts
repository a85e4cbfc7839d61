import { ConfigurableModuleBuilder } from '@nestjs/common';
import { PoolCoreModule } from './pool-core.module.js';
import type { PoolModuleExtras, PoolModuleOptions } from './pool-module.options.js';
import { createPoolProviders } from './pool.providers.js';
import { DEFAULT_POOL_NAME, getConnectionToken, getPoolToken } from './pool.tokens.js';

/**
 * The options token. Every forRoot() module provides it privately (it is never exported), so
 * several named pools do not clash.
 */
export const POOL_MODULE_OPTIONS: unique symbol = Symbol('mariapool:module-options');

export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<PoolModuleOptions>({ moduleName: 'MariaPool', optionsInjectionToken: POOL_MODULE_OPTIONS })
    .setClassMethodName('forRoot')
    .setExtras<PoolModuleExtras>({ name: DEFAULT_POOL_NAME, isGlobal: true }, (definition, extras) => {
      const name = extras.name ?? DEFAULT_POOL_NAME;
      return {
        ...definition,
        global: extras.isGlobal ?? true,
        imports: [...(definition.imports ?? []), PoolCoreModule],
        providers: [...(definition.providers ?? []), ...createPoolProviders(name, POOL_MODULE_OPTIONS)],
        exports: [...(definition.exports ?? []), getPoolToken(name), getConnectionToken(name)],
      };
    })
    .build();
