import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ErrorResponseFilter } from '../common/error-response.filter';
import { AppConfig, servesHttp } from '../config/app-config';
import { ClientThrottlerGuard } from '../throttling/client-throttler.guard';
import { registerBodyParsers } from './body-parsers';

/**
 * Throttling before the body, body parsing, error shape and API docs: what every API process (and the e2e
 * tests) sets on the app, which must be created with `bodyParser: false` so the parsers here are the only ones.
 */
export function configureHttpApp(app: NestFastifyApplication, config: AppConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  // A worker's app (as the tests start one) has no throttled route, and no throttler.
  if (servesHttp(config)) {
    const throttler = app.get(ClientThrottlerGuard);
    fastify.addHook('onRequest', (request, reply, done) => {
      const counting = throttler.countOnArrival(request, reply);
      // done() with no error would let the request through: the guard's rejections are errors, but make sure.
      if (counting) counting.then(() => done(), (error: unknown) => done(error instanceof Error ? error : new Error(`throttle count failed: ${String(error)}`)));
      else done();
    });
  }
  app.useGlobalFilters(new ErrorResponseFilter(config.http.maxTextChars));
  registerBodyParsers(fastify, config.upload.maxBytes);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Research Paper Analyzer')
      .setDescription(
        'Submit a paper, get a request id at once, poll for its structured analysis. ' +
          'Papers are analysed in batches by an LLM on Groq, or by the offline extractive analyser when no key is set.',
      )
      .setVersion('0.1.0')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
