import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';

/** A fresh child container for one run, so runs in one process never see each other's services. */
export function createRunContainer(parent: DependencyContainer = rootContainer): DependencyContainer {
  return parent.createChildContainer();
}
