using Gateway.Policy.Validation;
using YamlDotNet.Core;

namespace Gateway.Policy.Yaml;

internal sealed class YamlScalar : YamlNode
{
    public YamlScalar(SourcePosition position, string value, ScalarStyle style)
        : base(position)
    {
        Value = value;
        Style = style;
    }

    public string Value { get; }

    public ScalarStyle Style { get; }

    /// <summary>Plain (unquoted) scalars carry YAML's implicit typing: numbers, booleans, null.</summary>
    public bool IsPlain => Style is ScalarStyle.Plain or ScalarStyle.Any;

    /// <summary>
    /// YAML 1.2 core schema null: an empty plain scalar, "~" or "null" in its three spellings.
    /// A quoted "null" is a string.
    /// </summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Description => IsNull ? "null" : IsPlain ? $"'{Echo.Of(Value)}'" : $"the string \"{Echo.Of(Value)}\"";
}
