using System.Text.Json.Serialization;
using Gateway.Abstractions;

namespace Gateway.Queue;

/// <summary>Source-generated (reflection-free) JSON for the spool's envelope and state files and quarantine records: snake_case names.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    Converters =
    [
        typeof(SnakeCaseEnumConverter<MailDirection>),
        typeof(SnakeCaseEnumConverter<BodyType>),
        typeof(SnakeCaseEnumConverter<DsnReturn>),
        typeof(SnakeCaseEnumConverter<GreetingKind>),
        typeof(SnakeCaseEnumConverter<RecipientStatus>),
        typeof(DsnNotifyJsonConverter),
    ])]
[JsonSerializable(typeof(QueuedEnvelope))]
[JsonSerializable(typeof(MessageState))]
[JsonSerializable(typeof(QuarantineRecord))]
internal sealed partial class QueueJsonContext : JsonSerializerContext;
