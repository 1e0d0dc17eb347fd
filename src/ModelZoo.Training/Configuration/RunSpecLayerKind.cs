namespace ModelZoo.Training;

/// <summary>Where a <see cref="RunSpecLayer"/> comes from, lowest first in the usual order; it decides how an option is named in messages.</summary>
public enum RunSpecLayerKind
{
    /// <summary>The built-in defaults of every option (<c>new RunSpec()</c>).</summary>
    Defaults,

    /// <summary>The built-in recipe for the model family and data (<see cref="TrainingDefaults"/>).</summary>
    BuiltInRecipe,

    /// <summary>A recipe file (<c>--config</c>).</summary>
    RecipeFile,

    /// <summary>The recorded specification of a run being resumed.</summary>
    ResumedRun,

    /// <summary>Options given in code by a library user.</summary>
    Code,

    /// <summary>The command line: only what the user typed.</summary>
    CommandLine,
}
