namespace Gateway.Policy;

/// <summary>The quarantine of held messages (quarantine:): how long an item is kept before it is deleted.</summary>
public sealed record QuarantinePolicy
{
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(30);

    /// <summary>
    /// An item not released or deleted by then is deleted, without a notice to the sender (it was accepted with a
    /// 250 as wanted mail would be; a notice would be backscatter to a likely forged address); the deletion is logged
    /// and traced.
    /// </summary>
    public TimeSpan Retention { get; init; } = DefaultRetention;

    /// <summary>Once a day, each of our recipients gets a mail listing the items held for them since the last one.</summary>
    public bool Digest { get; init; }

    /// <summary>The hour of the day (UTC, 0-23) from which the day's digest goes out.</summary>
    public int DigestHour { get; init; } = DefaultDigestHour;

    public const int DefaultDigestHour = 7;
}
