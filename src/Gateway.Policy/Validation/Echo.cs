namespace Gateway.Policy.Validation;

/// <summary>How error messages quote a value from a policy file: bounded and without control characters.</summary>
internal static class Echo
{
    public const int MaxLength = 60;

    public static string Of(string value)
    {
        var shortened = value.Length <= MaxLength ? value : string.Concat(value.AsSpan(0, MaxLength - 3), "...");
        return string.Create(shortened.Length, shortened, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}
