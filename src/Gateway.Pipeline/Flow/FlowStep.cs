using Gateway.Pipeline.Steps;

namespace Gateway.Pipeline.Flow;

/// <summary>One entry of a declared flow: a step (null when the policy switches it off) and the clients it runs for.</summary>
public sealed record FlowStep(IMessageStep? Step, StepScope Scope);
