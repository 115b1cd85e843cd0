namespace Gateway.Policy.Yaml;

/// <summary>One key/value pair of a mapping; keys are always scalars in a policy file.</summary>
internal sealed record YamlEntry(YamlScalar Key, YamlNode Value);
