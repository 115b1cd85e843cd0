namespace Gateway.Testing;

/// <summary>Marker so the shared test library is not empty; fakes land here as components need them.</summary>
public static class TestDirectories
{
    /// <summary>A fresh directory under the system temp folder, unique per call.</summary>
    public static string CreateTemp(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }
}
