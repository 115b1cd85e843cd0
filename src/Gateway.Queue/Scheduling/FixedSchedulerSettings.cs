namespace Gateway.Queue.Scheduling;

/// <summary>Settings that never change (tests, tools that run once).</summary>
public sealed class FixedSchedulerSettings(SchedulerSettings settings) : ISchedulerSettingsSource
{
    public SchedulerSettings Current { get; } = settings;
}
