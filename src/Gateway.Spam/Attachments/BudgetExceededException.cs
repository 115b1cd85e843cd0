namespace Gateway.Spam.Attachments;

/// <summary>Inflating an archive passed <see cref="AttachmentLimits.MaxExpanded"/>: the message holds a bomb.</summary>
internal sealed class BudgetExceededException(long budget)
    : Exception(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"inflating archives passed {budget} octets"));
