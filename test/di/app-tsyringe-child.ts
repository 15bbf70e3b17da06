// Run by lazy-tsyringe.test.ts in a fresh process: an app that loads tsyringe itself first, then
// decorates a class through tiercel/di and resolves it with its own container, no tiercel call in
// between. The decorators must reach tsyringe at once. Prints one JSON line.
import 'reflect-metadata';
import { container } from 'tsyringe';
import { token } from '../../connection/index.js';
import { inject, injectable } from '../../di/index.js';
import { loadTsyringe } from '../../connection/tsyringe.js';

const NAME = token<string>('app.Name');

@injectable()
class Greeter {
  constructor(@inject(NAME) readonly name: string) {}
}

const own = container.createChildContainer();
own.register(NAME, { useValue: 'app' });
process.stdout.write(JSON.stringify({ name: own.resolve(Greeter).name, oneRegistry: loadTsyringe().container === container }) + '\n');
