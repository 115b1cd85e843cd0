namespace Gateway.Policy;

/// <summary>
/// Where a value sits in a policy file (1-based line and column, as in <see cref="PolicyError"/>). Kept on
/// values the host checks later, such as key files, so a problem found while loading them ("this PEM does
/// not load") is still reported as file:line:column of the node that named them.
/// </summary>
public sealed record PolicyPosition(string File, int Line, int Column)
{
    /// <summary>An error at this position.</summary>
    public PolicyError At(string message) => new(File, Line, Column, message);

    public override string ToString() => $"{File}:{Line}:{Column}";
}
