import { TiercelError } from '../connection/index.js';

/**
 * tsyringe cannot construct a class: it has constructor parameters but no decorator metadata
 * (tsyringe's own words: `TypeInfo not known for "X"`). One message for the three causes.
 */
export class DiMetadataError extends TiercelError {
  constructor(
    /** The class tsyringe could not construct. */
    readonly className: string,
    options?: { cause?: unknown },
  ) {
    super(
      'ERR_TIERCEL_DI_METADATA',
      `Cannot construct ${className}: tsyringe has no constructor metadata for it. ` +
        `Mark it @injectable() (import { injectable, inject } from 'tiercel/di'), set "experimentalDecorators": true and ` +
        `"emitDecoratorMetadata": true in tsconfig.json, and import 'reflect-metadata' once, before anything else. ` +
        `If it is already @injectable(), the app holds a second copy of tsyringe: install tsyringe once ` +
        `(tiercel's peer dependency, \`npm ls tsyringe\` shows one) so both use the same registry.`,
      options,
    );
  }
}

/** A token tiercel needs is not registered in the container it was given. */
export class DiRegistrationError extends TiercelError {
  constructor(
    /** The token's description, `tiercel.ServerOptions`. */
    readonly token: string,
    options?: { cause?: unknown },
  ) {
    super(
      'ERR_TIERCEL_DI_UNREGISTERED',
      `Nothing is registered for ${token}: call addTiercel(container, options) on the container before handing it to a Server, and register your own services before start()`,
      options,
    );
  }
}

/**
 * The socket activation variables (`LISTEN_PID`, `LISTEN_FDS`, `LISTEN_FDNAMES`) are set for this
 * process but malformed; systemd never writes such values.
 */
export class SocketActivationError extends TiercelError {
  constructor(reason: string) {
    super('ERR_TIERCEL_SOCKET_ACTIVATION', `Socket activation: ${reason}`);
  }
}
