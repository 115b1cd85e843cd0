using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Host.Cli;

/// <summary>Source-generated JSON for re-indenting reports the CLI prints for people to read.</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class IndentedJson : JsonSerializerContext;
