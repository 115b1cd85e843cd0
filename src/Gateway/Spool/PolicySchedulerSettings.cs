using Gateway.Policy;
using Gateway.Queue.Notices;
using Gateway.Queue.Scheduling;

namespace Gateway.Host.Spool;

/// <summary>
/// The scheduler's settings from the policy in force: the retry schedule, delay-notice and bounce times
/// (delivery.retry, delivery.delay_notice_after, delivery.bounce_after), and notices that know our host name and
/// domains. Replaced whole on each reload, so the next attempt round of every message uses the new values; a
/// message's next attempt time, already computed, stays as it was (`gateway queue retry` brings it forward).
/// </summary>
internal sealed class PolicySchedulerSettings : ISchedulerSettingsSource
{
    private readonly TimeProvider _time;
    private SchedulerSettings _current;

    public PolicySchedulerSettings(GatewayPolicy policy, TimeProvider time)
    {
        _time = time;
        _current = Build(policy, time);
    }

    public SchedulerSettings Current => Volatile.Read(ref _current);

    public void Apply(GatewayPolicy policy) => Volatile.Write(ref _current, Build(policy, _time));

    private static SchedulerSettings Build(GatewayPolicy policy, TimeProvider time)
    {
        var delivery = policy.Delivery;
        var domains = new HashSet<string>(policy.Domains, StringComparer.OrdinalIgnoreCase);
        return new SchedulerSettings(
            new RetrySchedule(delivery.Retry.First, delivery.Retry.Max, delivery.Retry.Factor, delivery.DelayNoticeAfter, delivery.BounceAfter),
            new DsnNoticeFactory(new DsnNoticeOptions { HostName = policy.HostName, IsLocalDomain = domains.Contains }, time));
    }
}
