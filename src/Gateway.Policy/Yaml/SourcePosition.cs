namespace Gateway.Policy.Yaml;

/// <summary>Where a node starts: the file and YamlDotNet's 1-based line and column.</summary>
internal readonly record struct SourcePosition(string File, int Line, int Column)
{
    public PolicyError Error(string message) => new(File, Line, Column, message);
}
