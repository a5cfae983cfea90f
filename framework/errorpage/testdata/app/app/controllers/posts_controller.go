package controllers

// PostsController is a fixture of the debug page's tests: they read its
// lines as an app's source.
type PostsController struct {
	ApplicationController
	Post Post
}

// Show finds a post.
func (c *PostsController) Show() error {
	post, err := find(c.id)
	if err != nil {
		return err
	}
	c.Post = post
	return nil
}

// ShowAll panics on line 23.
func (c *PostsController) ShowAll() error {
	var posts []string
	return errors.New(posts[3])
}
