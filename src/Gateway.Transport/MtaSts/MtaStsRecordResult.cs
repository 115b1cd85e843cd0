namespace Gateway.Transport.MtaSts;

/// <summary>
/// The outcome of reading the "_mta-sts" TXT records: the record, or why there is no usable one (for logs;
/// RFC 8461 3.1 treats every such case as "no policy record").
/// </summary>
public sealed record MtaStsRecordResult(MtaStsRecord? Record, string? Error)
{
    public bool IsValid => Record is not null;

    public static MtaStsRecordResult Valid(MtaStsRecord record) => new(record, null);

    public static MtaStsRecordResult Invalid(string error) => new(null, error);
}
