namespace Gateway.Policy.Yaml;

/// <summary>
/// A node of the small YAML tree the policy reader validates. Built from YamlDotNet parser events so every
/// node keeps the file and position it came from (the representation model throws on the first duplicate
/// key; we want all problems in one pass).
/// </summary>
internal abstract class YamlNode
{
    protected YamlNode(SourcePosition position)
    {
        Position = position;
    }

    public SourcePosition Position { get; }

    /// <summary>How an error message names this kind of node ("a mapping", "a sequence", ...).</summary>
    public abstract string Description { get; }
}
