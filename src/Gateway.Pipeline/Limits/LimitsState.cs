using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Pipeline.Limits;

/// <summary>
/// What the rate limits and the greylist remember, for the whole process: built once by the host and handed to every
/// policy snapshot (<see cref="SessionLimits"/>), so counts and triplets survive reloads. Disposing it writes the greylist.
/// </summary>
public sealed class LimitsState : IDisposable
{
    /// <summary>How often a changed greylist is written (and at stop).</summary>
    public static readonly TimeSpan GreylistFlushInterval = TimeSpan.FromSeconds(30);

    public LimitsState(RateLimiter rates, Greylist greylist, TimeProvider time, ILimitsMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(rates);
        ArgumentNullException.ThrowIfNull(greylist);
        ArgumentNullException.ThrowIfNull(time);
        Rates = rates;
        Greylist = greylist;
        Time = time;
        Metrics = metrics;
    }

    public RateLimiter Rates { get; }

    public Greylist Greylist { get; }

    public TimeProvider Time { get; }

    public ILimitsMetrics? Metrics { get; }

    /// <summary>The host's state: the greylist in <paramref name="greylistDirectory"/> ("&lt;state&gt;/greylist"), read now.</summary>
    public static LimitsState Open(string greylistDirectory, TimeProvider time, ILoggerFactory? loggers = null, ILimitsMetrics? metrics = null)
    {
        var logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger("Gateway.Pipeline");
        return new LimitsState(new RateLimiter(time), Greylist.Open(greylistDirectory, time, logger, GreylistFlushInterval), time, metrics);
    }

    public void Dispose() => Greylist.Dispose();
}
