import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ApiErrorFilter } from './api-error.filter';

/** Installs ApiErrorFilter app-wide: import it once, in the app that serves the HTTP modules. */
@Module({ providers: [{ provide: APP_FILTER, useClass: ApiErrorFilter }] })
export class HttpErrorsModule {}
