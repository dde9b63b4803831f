export { choleskyFactor, choleskySolve } from "./cholesky.js";
