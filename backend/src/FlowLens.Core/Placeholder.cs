namespace FlowLens.Core;
