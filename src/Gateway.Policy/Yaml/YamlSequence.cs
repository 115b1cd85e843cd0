namespace Gateway.Policy.Yaml;

internal sealed class YamlSequence : YamlNode
{
    public YamlSequence(SourcePosition position, IReadOnlyList<YamlNode> items)
        : base(position)
    {
        Items = items;
    }

    public IReadOnlyList<YamlNode> Items { get; }

    public override string Description => "a sequence";
}
