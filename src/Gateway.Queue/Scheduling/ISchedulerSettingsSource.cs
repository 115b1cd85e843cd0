namespace Gateway.Queue.Scheduling;

/// <summary>The <see cref="SchedulerSettings"/> in force now; the host replaces them when the policy is reloaded.</summary>
public interface ISchedulerSettingsSource
{
    SchedulerSettings Current { get; }
}
