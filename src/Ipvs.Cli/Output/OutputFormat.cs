namespace Ipvs.Cli.Output;

/// <summary>How read commands print their result.</summary>
internal enum OutputFormat
{
    /// <summary>A table for people.</summary>
    Table,

    /// <summary>JSON in the documented schema.</summary>
    Json,

    /// <summary>YAML with exactly the JSON's structure.</summary>
    Yaml,
}
