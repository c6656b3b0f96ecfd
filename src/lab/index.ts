/**
 * The lab as the rest of topo sees it (topo verify, the CLI's teardown): bring a generated tree up
 * in network namespaces, probe it, tear it down. Everything else in lab/ is its own business;
 * a component plugs in through `COMPONENTS` (see README.md).
 */
export { COMPONENTS } from "./components/index.js";
export type { Finding, LabComponent, LabContext } from "./context.js";
export { bringUp, labRequirements } from "./lab.js";
export { LabError } from "./runtime/exec.js";
export { checkRequirements } from "./runtime/requirements.js";
export { withRun, type LabRun } from "./runtime/run.js";
export { keptRuns, LAB_ROOT, recoverStaleRuns, teardownRun } from "./runtime/state.js";
export { prepareSources, runProbes, SERVED_PORTS, servedKey, startListeners, type Probe } from "./probe/probes.js";
export { ALL_CONCEPTS, fleetLock, generateFleet, type FleetShape } from "./fuzz/fleet.js";
