namespace Gateway.Testing;

/// <summary>Locates the checkout (the folder holding Gateway.sln) from a test's output directory.</summary>
public static class RepositoryRoot
{
    public static string Path
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Gateway.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new DirectoryNotFoundException("Gateway.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
