using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Queue;

/// <summary>Writes enums as snake_case strings ("eight_bit_mime"), so the spool files read well and stay stable.</summary>
internal sealed class SnakeCaseEnumConverter<TEnum> : JsonStringEnumConverter<TEnum>
    where TEnum : struct, Enum
{
    public SnakeCaseEnumConverter()
        : base(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    {
    }
}
