namespace Gateway.Policy;

/// <summary>
/// One problem in a policy file, at the 1-based line and column of the offending node (as YamlDotNet's
/// Mark reports them). <see cref="ToString"/> gives the compiler-style "file:line:column: message".
/// </summary>
public sealed record PolicyError(string File, int Line, int Column, string Message)
{
    /// <summary>
    /// A file the error is about that does not exist yet (an included file not found): watched, so that creating it
    /// reloads the policy without a touch of the file that includes it.
    /// </summary>
    public string? MissingFile { get; init; }

    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}
