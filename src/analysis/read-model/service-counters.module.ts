import { Module } from '@nestjs/common';
import { ServiceCounters } from './service-counters';

/** The service-wide counters: one store for every module that counts, the LLM adapter's limiter included. */
@Module({ providers: [ServiceCounters], exports: [ServiceCounters] })
export class ServiceCountersModule {}
