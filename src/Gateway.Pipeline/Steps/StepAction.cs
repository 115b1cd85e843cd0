namespace Gateway.Pipeline.Steps;

/// <summary>The kind of a <see cref="StepVerdict"/>.</summary>
public enum StepAction
{
    Continue,
    Hold,
    TempFail,
    Reject,
}
