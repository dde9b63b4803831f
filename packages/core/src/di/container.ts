import 'reflect-metadata';
import { type DependencyContainer, container as rootContainer } from 'tsyringe';

/** A fresh child container for one run, so runs in one process never see each other's services. */
export function createRunContainer(parent: DependencyContainer = rootContainer): DependencyContainer {
  return parent.createChildContainer();
}
