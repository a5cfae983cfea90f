package baseline

import (
	"errors"
	"log"
	"net/http"
	"strconv"
	"strings"
)

// Handler is the plain server: the three endpoints on net/http's ServeMux,
// no logging, no middleware.
func Handler(store Store) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", TextType)
		_, _ = w.Write([]byte(Hello))
	})
	mux.HandleFunc("GET /posts", func(w http.ResponseWriter, r *http.Request) {
		posts, err := store.Newest(r.Context(), PageSize)
		if err != nil {
			serverError(w, err)
			return
		}
		w.Header().Set("Content-Type", HTMLType)
		if err := Templates.ExecuteTemplate(w, "index", posts); err != nil {
			log.Print(err)
		}
	})
	mux.HandleFunc("GET /posts/{file}", func(w http.ResponseWriter, r *http.Request) {
		num, ok := strings.CutSuffix(r.PathValue("file"), ".json")
		id, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil {
			http.NotFound(w, r)
			return
		}
		post, err := store.Find(r.Context(), id)
		if errors.Is(err, ErrNotFound) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			serverError(w, err)
			return
		}
		w.Header().Set("Content-Type", JSONType)
		_ = WriteJSON(w, post)
	})
	return mux
}

func serverError(w http.ResponseWriter, err error) {
	log.Print(err)
	http.Error(w, "Internal Server Error", http.StatusInternalServerError)
}
