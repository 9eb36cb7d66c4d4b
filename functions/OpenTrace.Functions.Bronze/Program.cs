Console.Error.WriteLine("not yet wired");
