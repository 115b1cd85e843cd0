namespace Gateway.Policy;

/// <summary>The outcome of reading a policy: a policy and no errors, or no policy and at least one error.</summary>
public sealed record PolicyLoadResult(GatewayPolicy? Policy, IReadOnlyList<PolicyError> Errors)
{
    public bool Success => Policy is not null && Errors.Count == 0;
}
