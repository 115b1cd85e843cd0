namespace Gateway.Policy.Yaml;

internal sealed class YamlMapping : YamlNode
{
    public YamlMapping(SourcePosition position, IReadOnlyList<YamlEntry> entries)
        : base(position)
    {
        Entries = entries;
    }

    /// <summary>Entries in document order; keys are unique (duplicates were reported and dropped).</summary>
    public IReadOnlyList<YamlEntry> Entries { get; }

    public override string Description => "a mapping";
}
