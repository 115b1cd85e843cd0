using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Abstractions;

namespace Gateway.Queue;

/// <summary>
/// NOTIFY= (RFC 3461 4.1) as a JSON list: [] when absent, ["never"], or any of "success", "failure", "delay".
/// </summary>
internal sealed class DsnNotifyJsonConverter : JsonConverter<DsnNotify>
{
    public override DsnNotify Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("notify must be a list.");
        }

        var value = DsnNotify.None;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException("notify entries must be strings.");
            }

            value |= reader.GetString() switch
            {
                "never" => DsnNotify.Never,
                "success" => DsnNotify.Success,
                "failure" => DsnNotify.Failure,
                "delay" => DsnNotify.Delay,
                var other => throw new JsonException($"Unknown notify value '{other}'."),
            };
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, DsnNotify value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        if (value.HasFlag(DsnNotify.Never))
        {
            writer.WriteStringValue("never");
        }

        if (value.HasFlag(DsnNotify.Success))
        {
            writer.WriteStringValue("success");
        }

        if (value.HasFlag(DsnNotify.Failure))
        {
            writer.WriteStringValue("failure");
        }

        if (value.HasFlag(DsnNotify.Delay))
        {
            writer.WriteStringValue("delay");
        }

        writer.WriteEndArray();
    }
}
